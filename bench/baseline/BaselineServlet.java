package bench;

import java.io.IOException;

import javax.servlet.sip.SipServlet;
import javax.servlet.sip.SipServletRequest;

/** The trivial INVITE/BYE servlet the echo application is compared with: answers 200 without any media. */
public class BaselineServlet extends SipServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doInvite(SipServletRequest request) throws IOException {
        request.createResponse(200).send();
    }

    @Override
    protected void doAck(SipServletRequest request) {
    }

    @Override
    protected void doBye(SipServletRequest request) throws IOException {
        request.createResponse(200).send();
    }
}
